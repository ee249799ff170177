/** The hash of the data files `<experimentDir>/data.json` names, or undefined when it names none (turbo-pipeline.mjs). */
export function dataFilesHash(experimentDir: string, baseDir?: string): string | undefined;
