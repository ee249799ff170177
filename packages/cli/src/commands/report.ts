/** `meta-lora report RUN_DIR`: the Markdown and self-contained HTML report of a run's eval-results.arrow. */
import { MetaLoraError } from '@meta-lora/artifacts';
import { EVAL_RESULTS_FILE, REPORT_HTML_FILE, REPORT_MARKDOWN_FILE, writeReport } from '@meta-lora/eval';
import type { Command } from '../command.ts';

export const reportCommand: Command = {
  name: 'report',
  summary: `write ${REPORT_MARKDOWN_FILE} and ${REPORT_HTML_FILE} (charts, no network) for a run`,
  usage: 'meta-lora report RUN_DIR [--results FILE] [--out DIR]',
  options: {
    results: {
      type: 'string',
      placeholder: 'FILE',
      description: `eval-results artifact (default RUN_DIR/${EVAL_RESULTS_FILE})`,
    },
    out: { type: 'string', placeholder: 'DIR', description: 'where to write the report (default RUN_DIR)' },
  },
  async run(args) {
    const [runDir, ...extra] = args.positionals;
    if (runDir === undefined || extra.length > 0) {
      throw new MetaLoraError('CONFIG_INVALID', `meta-lora report takes one RUN_DIR, got ${args.positionals.length}`, {
        field: 'RUN_DIR',
        fix: 'meta-lora report runs/multitask',
      });
    }
    const results = args.values.results as string | undefined;
    const out = args.values.out as string | undefined;
    const written = writeReport(runDir, {
      ...(results === undefined ? {} : { resultsPath: results }),
      ...(out === undefined ? {} : { outDir: out }),
    });
    process.stdout.write(`wrote ${written.markdownPath}\nwrote ${written.htmlPath} (${written.rows} results)\n`);
    return 0;
  },
};
