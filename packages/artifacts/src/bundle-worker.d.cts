/** Bundles the worker module `entry` into `outfile`, inside the entry's package (a package's build). */
export function bundleWorker(entry: string, outfile: string): Promise<void>;
/** The URL of a bundle of the `.ts` worker module at `moduleUrl`, made once per process (runs from source). */
export function sourceWorkerBundle(moduleUrl: string): string;
