import { listContextMachines } from './contextMachines';
import { MachineStore, MachineStoreEnvironment } from './dockerMachineStore';
import { Machine, MachineList, MachineProblem, MachineSource } from './machine';
import { SshHostSettings, sshHostMachines } from './sshHosts';
import { listVagrantMachines, VagrantRunner } from './vagrantMachines';

export type { Machine, MachineList, MachineProblem, MachineSource, SshEndpoint, MachineEngine } from './machine';

/** Where machines come from; everything but env and homeDir is optional. */
export interface ListMachinesOptions extends MachineStoreEnvironment {
  /** docker-machine's store instead of MACHINE_STORAGE_PATH or ~/.docker/machine (`--storage-path`). */
  readonly storagePath?: string;
  /** Folders with a Vagrantfile to run `vagrant ssh-config` in; none by default, since that runs the Vagrantfile. */
  readonly vagrantFolders?: readonly string[];
  readonly vagrantRunner?: VagrantRunner;
  /** `dockerFork.machines.sshHosts` and where it was read from. */
  readonly sshHosts?: SshHostSettings;
  /** Replaces a source's reader (tests). */
  readonly sources?: Partial<Record<MachineSource, () => Promise<MachineList>>>;
}

/** The order sources are listed in, and which keeps a name when two sources use it. */
const SOURCE_ORDER: readonly MachineSource[] = ['docker-machine', 'context', 'vagrant', 'ssh'];

function defaultSources(o: ListMachinesOptions): Record<MachineSource, () => Promise<MachineList>> {
  const store = o.storagePath ? new MachineStore(o.storagePath) : MachineStore.fromEnvironment(o);
  return {
    'docker-machine': () => store.list(),
    context: () => listContextMachines({ env: o.env, homeDir: o.homeDir }),
    vagrant: async () => {
      const lists = await Promise.all((o.vagrantFolders ?? []).map((f) => listVagrantMachines(f, o.vagrantRunner)));
      return { machines: lists.flatMap((l) => l.machines), problems: lists.flatMap((l) => l.problems) };
    },
    ssh: async () => (o.sshHosts ? sshHostMachines(o.sshHosts) : { machines: [], problems: [] }),
  };
}

/**
 * Names are what `dockerfork deploy NAME` takes, so they must be unique. The
 * first source in SOURCE_ORDER keeps a name; a later machine with the same
 * name is listed as `SOURCE:NAME` (as contexts always are), and only when
 * that is taken too does it become a problem naming both files.
 */
function uniqueNames(machines: readonly Machine[]): { machines: Machine[]; problems: MachineProblem[] } {
  const taken = new Map<string, Machine>();
  const problems: MachineProblem[] = [];
  for (const m of machines) {
    const first = taken.get(m.name);
    if (!first) {
      taken.set(m.name, m);
      continue;
    }
    const qualified = `${m.source}:${m.name}`;
    if (!taken.has(qualified)) {
      taken.set(qualified, { ...m, name: qualified });
      continue;
    }
    problems.push({ name: m.name, source: m.source, origin: m.origin, message: `the name "${m.name}" is already used by the machine from ${first.origin} and "${qualified}" by ${taken.get(qualified)!.origin}; rename one to deploy to it.` });
  }
  return { machines: [...taken.values()], problems };
}

/**
 * Every machine we can deploy to, from docker-machine's store, Docker
 * contexts with ssh:// endpoints, Vagrant folders and the sshHosts setting.
 * A source that fails as a whole (an unreadable store) becomes one problem;
 * the other sources are still listed.
 */
export async function listMachines(o: ListMachinesOptions): Promise<MachineList> {
  const sources = { ...defaultSources(o), ...o.sources };
  const lists = await Promise.all(SOURCE_ORDER.map(async (source): Promise<MachineList> => {
    try {
      return await sources[source]();
    } catch (e) {
      // The error names the folder or file (EACCES: permission denied, scandir '…').
      return { machines: [], problems: [{ name: source, source, origin: source, message: `cannot list ${source} machines: ${(e as Error).message}` }] };
    }
  }));
  const unique = uniqueNames(lists.flatMap((l) => l.machines));
  return { machines: unique.machines, problems: [...lists.flatMap((l) => l.problems), ...unique.problems] };
}
