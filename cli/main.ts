/** `npx handrail`: run workflows, inspect runs, decide approvals, manage knowledge. */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { CliError } from './api-client.js';
import * as commands from './commands.js';

const HELP = `Usage: handrail <command> [options]

Commands:
  start                                   run Handrail locally (same as npm start)
  run <workflow> --input <file.json> [--idempotency-key K]
                                          start a run, as a webhook would
  runs show <runId>                       everything a run did
  runs list [--workflow W] [--status S]   recent runs
  approvals list [--status pending]       the approvals inbox
  approvals approve <id> --reviewer R [--reason T]
  approvals edit <id> --reviewer R (--text T | --text-file F) [--reason T]
  approvals reject <id> --reviewer R [--reason T]
  kb put <collection> <file> [--author A] add a new version of a knowledge document
  kb list <collection>                    latest version of each document

Environment: HANDRAIL_URL (default http://localhost:3000).`;

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      input: { type: 'string' },
      'idempotency-key': { type: 'string' },
      workflow: { type: 'string' },
      status: { type: 'string' },
      reviewer: { type: 'string' },
      text: { type: 'string' },
      'text-file': { type: 'string' },
      reason: { type: 'string' },
      author: { type: 'string' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  switch (`${command} ${['run', 'start'].includes(command) ? '' : (sub ?? '')}`.trim()) {
    case 'start':
      await import('../local/main.js');
      return;
    case 'run':
      return commands.runWorkflow(sub, values.input, values['idempotency-key']);
    case 'runs show':
      return commands.showRun(rest[0]);
    case 'runs list':
      return commands.listRuns(values.workflow, values.status);
    case 'approvals list':
      return commands.listApprovals(values.status);
    case 'approvals approve':
    case 'approvals edit':
    case 'approvals reject':
      return commands.decideApproval(sub as 'approve' | 'edit' | 'reject', rest[0], { reviewer: values.reviewer, text: values.text, textFile: values['text-file'], reason: values.reason });
    case 'kb put':
      return commands.kbPut(rest[0], rest[1], values.author ?? userInfo().username);
    case 'kb list':
      return commands.kbList(rest[0]);
    default:
      throw new CliError(`unknown command "${positionals.join(' ')}"; run \`handrail --help\``, 2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const exitCode = err instanceof CliError ? err.exitCode : (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  console.error(`handrail: ${(err as Error).message}`);
  process.exit(exitCode);
});
