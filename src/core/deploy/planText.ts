import type { DeployPlan } from './deployPlan';

/** How the lines of a shown plan are styled; plain text by default (the CLI's). */
export interface PlanStyle {
  readonly strong?: (text: string) => string;
  readonly faint?: (text: string) => string;
}

const mib = (n: number) => `${(n / 1024 / 1024).toFixed(1)} MiB`;

/**
 * The plan as shown before anything changes, in the CLI and the editor's
 * deploy terminal alike: each file local → remote with size and sha256,
 * the drop-in, the restart, what is verified, where the backup goes.
 */
export function planLines(plan: DeployPlan, style: PlanStyle = {}): string[] {
  const strong = style.strong ?? ((t) => t);
  const faint = style.faint ?? ((t) => t);
  const lines = [`${strong(plan.machine)}: plan ${plan.id} (${plan.mode}${plan.sudo ? ', with sudo' : ''}):`];
  for (const f of plan.files) lines.push(`  ${f.source} → ${f.remotePath}  ${mib(f.size)}  sha256:${f.sha256.slice(0, 12)}${f.unchanged ? `  ${faint('(already there)')}` : ''}`);
  if (plan.dropIn) lines.push(`  drop-in ${plan.dropIn.path}${plan.dropIn.existed ? ' (replaces ours)' : ''}:`, ...plan.dropIn.content.trimEnd().split('\n').map((l) => `    ${faint(l)}`));
  lines.push(`  restart: ${plan.restart.description}; verify at ${plan.daemonHost}${plan.expectCommit ? ` that it reports commit ${plan.expectCommit}` : ' that it answers (the dockerd deployed names no commit)'}`);
  lines.push(`  backup of what is replaced: ${plan.backupDir}`);
  return lines;
}
