import { describe, expect, it } from 'vitest';
import { roffParagraphs } from './roff-text.ts';

describe('roffParagraphs', () => {
  it('turns man macros into paragraphs and drops font escapes and comments', () => {
    const page = [
      '.\\" a comment',
      '.TH LS 1 2022 "GNU coreutils"',
      '.SH NOM',
      'ls \\- Afficher le contenu de répertoires',
      '.SH DESCRIPTION',
      '.PP',
      'Afficher les informations des \\fIFICHIER\\fPs (du répertoire',
      'courant par défaut)\\ ; voir \\fBls\\fP(1).',
      '.TP',
      '.BR \\-a ", " \\-\\-all',
      'inclure les entrées débutant par \\(Fo\\ .\\ \\(Fc',
    ].join('\n');
    expect(roffParagraphs(page)).toEqual([
      'NOM',
      'ls - Afficher le contenu de répertoires',
      'DESCRIPTION',
      'Afficher les informations des FICHIERs (du répertoire courant par défaut) ; voir ls(1).',
      '-a, --all inclure les entrées débutant par « . »',
    ]);
  });
});
