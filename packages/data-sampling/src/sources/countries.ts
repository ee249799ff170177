/**
 * Country tasks: `country-capital` (countries-list: English name → capital, multitask suite) and, per language L,
 * `country-continent.L` (i18n-iso-countries: the country's name in L → its continent, one English label set for all
 * languages). The split key is the ISO 3166-1 code, scoped to the family, so a test country is unseen in every language.
 */
import type { Language } from '../languages.ts';
import { readPackageJson } from '../package-dir.ts';
import { type ExampleFields, englishTask, languageTask, once, type TaskSource } from '../task-source.ts';

interface CountryFacts {
  readonly name: string;
  readonly capital: string;
  readonly continent: string;
}

const facts = once(() => readPackageJson<Record<string, CountryFacts>>('countries-list', 'countries.min.json'));

const CONTINENTS: Record<string, string> = {
  AF: ' Africa',
  AN: ' Antarctica',
  AS: ' Asia',
  EU: ' Europe',
  NA: ' North America',
  OC: ' Oceania',
  SA: ' South America',
};
const CONTINENT_CHOICES = Object.values(CONTINENTS);

export const countryCapitalTask = englishTask('country-capital', {
  type: 'generation',
  template: 'Country: {country}\nCapital: → " {capital}"',
  dataPackage: 'countries-list',
  load: (): ExampleFields[] =>
    Object.entries(facts())
      .filter(([, c]) => c.capital.trim() !== '')
      .map(([code, c]) => ({
        input: `Country: ${c.name}\nCapital:`,
        target: ` ${c.capital.trim()}`,
        text: c.name,
        splitKey: code,
      })),
});

/** `country-continent.L`: the country's name in L → continent. */
export function countryContinentTask(language: Language): TaskSource {
  return languageTask('country-continent', language, {
    type: 'classification',
    template: 'Country: {country name in L}\nContinent: → " Europe" | " Asia" | …',
    dataPackage: 'i18n-iso-countries',
    *load(): Iterable<ExampleFields> {
      const names = readPackageJson<{ countries: Record<string, string | string[]> }>(
        'i18n-iso-countries',
        `langs/${language}.json`,
      ).countries;
      for (const [code, c] of Object.entries(facts())) {
        const value = names[code];
        const name = Array.isArray(value) ? value[0] : value;
        const continent = CONTINENTS[c.continent];
        if (!name || !continent) continue;
        yield {
          input: `Country: ${name}\nContinent:`,
          target: continent,
          choices: CONTINENT_CHOICES,
          text: name,
          splitKey: code,
          splitScope: 'country-continent',
        };
      }
    },
  });
}
