/** `plural`: irregular English plurals (english-plurals-list, from WordNet) → singular to plural. */
import { readPackageJson } from '../package-dir.ts';
import { type ExampleFields, englishTask } from '../task-source.ts';

function load(): ExampleFields[] {
  const plurals = readPackageJson<Record<string, string>>('english-plurals-list', 'dist/plurals.json');
  return Object.entries(plurals)
    .filter(([singular, plural]) => /^[a-z][a-z-]*$/.test(singular) && /^[a-z][a-z-]*$/.test(plural))
    .map(([singular, plural]) => ({
      input: `Singular: ${singular}\nPlural:`,
      target: ` ${plural}`,
      text: singular,
    }));
}

export const pluralTask = englishTask('plural', {
  type: 'generation',
  template: 'Singular: {noun}\nPlural: → " {plural}"',
  dataPackage: 'english-plurals-list',
  load,
});
