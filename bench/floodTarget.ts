/** 50 MiB of log-like lines, printed by a container. */
export const FLOOD_BYTES = 50 * 1024 * 1024;
export const FLOOD_COMMAND = ['sh', '-c', `yes 'time="2026-11-22T12:00:00Z" level=info msg="bench log line from the daemon build" component=daemon' | head -c ${FLOOD_BYTES}`];
