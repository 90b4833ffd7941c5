/** `npx handrail`: run workflows, inspect runs, decide approvals, manage knowledge. */
import { parseArgs } from 'node:util';
import { CliError } from './api-client.js';

// Each command's module is loaded when that command runs: help and a mistyped command answer at
// once, without loading the AWS SDK and the rest of what the commands need.
const commands = () => import('./commands.js');

const HELP = `Usage: handrail <command> [options]

Commands:
  start                                   run Handrail locally (same as npm start)
  login <user>                            sign in locally as a user of the reviewer directory: prints a
                                          one-hour ID token (export HANDRAIL_TOKEN=$(npx handrail login …))
  login --stage <stage> [--port 8976] [--outputs cdk-outputs.json] [--no-browser]
                                          sign in with the stage's identity provider in a browser
                                          (code + PKCE, loopback http://localhost:<port>/callback);
                                          prints the ID token. Issuer and client: the stack outputs
                                          AuthIssuer, UserPoolClientId (cdk deploy --outputs-file);
                                          or --issuer <url> --client-id <id>; --stage local: npm start's
  run <workflow> --input <file.json> [--idempotency-key K]
                                          start a run, as the workflow's sender would: signed
                                          with its webhook secret (HANDRAIL_WEBHOOK_SECRET, or
                                          the local runtime's)
  webhooks secret <workflow> [--zendesk|--hubspot]  the local runtime's webhook secret of a workflow (--zendesk: its Zendesk signing secret; --hubspot: its HubSpot client secret)
  keys create <name> --workflows W[,W2]   an API key for a webhook sender (shown once; admin)
  keys list                               API keys: id, name, workflows, status
  keys revoke <keyId>                     revoke a key: it stops working at once
  workflows list                          the deployed workflows: steps, trigger, release
  workflows show <workflow>               one workflow: trigger, steps, reviewers by level, delivery, knowledge
  releases list [--workflow W]            each workflow's releases: deployed now (*), and every one a run started on
  releases show <releaseId>               a release's manifest: definition, reviewers, delivery, prices, knowledge
  releases diff <releaseA> <releaseB>     what changed: prompts (line diffs), models, policy, reviewers, gates, …
  releases rollout <workflow>             which releases take the workflow's new runs (weights), and its versions
  rollback <workflow> --reason T [--to <releaseId>]
                                          send every new run back to an earlier release now, no deploy
                                          (default: the release before); runs already started finish on theirs
  promote <workflow>|--all --from <stage> --to <stage> --reason T [--from-data <dir>]
                                          send the release the stage --to deploys (its API: HANDRAIL_URL) every
                                          new run, if the same build ran in --from, the stage before it
                                          (stages.yaml pipeline.order; its data folder, default .handrail-<stage>),
                                          as the workflow's release.promotion asks; audited with who and why.
                                          --check: check this source tree's builds against the stage before's
                                          tables (the pipeline's step; promotes nothing)
  replay <workflow> --release <releaseId> --from <time> [--to <time>] [--limit N] [--out report.json]
                                          re-run recorded runs' inputs through a release (nothing delivered,
                                          nobody asked); prints each side by side with the original and how
                                          a person decided it, and writes the report as JSON
  audit export [--from T] [--to T] [--format jsonl|csv] [--out F]
                                          every audit event recorded in the window (all streams), as JSON
                                          Lines (default) or CSV with stable columns; progress on stderr
  runs export [--workflow W] [--status S] [--from T] [--to T] [--format jsonl|csv] [--out F]
                                          every run (created in the window), the same way
  audit verify [--from <time>] [--to <time>]
                                          walk the hash-chained audit trail and its signed checkpoints;
                                          prints every edited, inserted or deleted event (exit 1 if any)
  erase --subject <email> [--reason T]    erase a person's email address from every run, step record, approval,
                                          stored citation and audit event (GDPR; admin); audited, and audit
                                          verify still holds; prints what it changed. Safe to repeat
  users disable <email> --reason T        refuse a user's tokens and links from now on (admin)
  users enable <email>                    let a disabled user in again (admin)
  users disabled                          who is disabled, by whom, why
  runs show <runId>                       everything a run did
  runs list [--workflow W] [--status S]   recent runs (--status needs_human|delivery_failed: the human queue)
  runs redrive <runId> [--reason T]       resume a run in the human queue (or failed) from the step that
                                          failed, once its cause is fixed (admin, author; audited)
  approvals list [--status pending]       the approvals inbox
  approvals approve <id> [--reason T]
  approvals edit <id> (--text T | --text-file F) --reason-code C [--reason T]
  approvals reject <id> --reason-code C [--reason T]
                                          decide as the reviewer whose token is in
                                          HANDRAIL_REVIEWER_TOKEN (or --token)
  reviewers token <reviewer> [--days N]   a reviewer's personal token, made with the local signing
                                          secret (.handrail/signing-secret); expires in N days (30)
  tokens create [--days N]                a personal token for the signed-in user (HANDRAIL_TOKEN)
  tokens revoke <token|tokenId>           revoke one personal token (by id: admins)
  reviewers inbox <reviewer>              a reviewer's signed inbox link
  kb put <collection> <file>              add a new version of a knowledge document (authored by you)
  kb list <collection>                    latest version of each document
  kb history <collection> [doc]           every version, newest first: who, when, content hash
  kb diff <collection>/<doc> <v1> <v2>    what changed between two versions (a unified diff)
  kb sync <collection> --from <folder|s3://bucket/prefix/|git+<url>[#ref] [--path dir]>
                                          the collection follows a folder, an S3 prefix or a Git repository (.md, .txt, .html, .pdf):
                                          new versions for changed files, removals for files gone, each with the revision
  kb label <collection> <label>           freeze the latest versions under a label (a retrieve step can pin it)
  kb labels <collection>                  the collection's labels
  kb runs <collection>/<doc> <v>          which runs searched version v (trace an answer to a knowledge update)
  kb restore <collection>/<doc> <v> [--reason T]
                                          a new version with version v's content (authored by you)
  autonomy [--workflow W]                 graduated autonomy per route path: figures, rule, status

Environment: HANDRAIL_URL (default http://localhost:3000), HANDRAIL_TOKEN (an ID token: every
command sends it), HANDRAIL_REVIEWER_TOKEN, HANDRAIL_DATA_DIR (default .handrail).`;

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
      workflows: { type: 'string' },
      days: { type: 'string' },
      status: { type: 'string' },
      token: { type: 'string' },
      'reason-code': { type: 'string' },
      text: { type: 'string' },
      'text-file': { type: 'string' },
      reason: { type: 'string' },
      from: { type: 'string' },
      path: { type: 'string' },
      to: { type: 'string' },
      release: { type: 'string' },
      limit: { type: 'string' },
      out: { type: 'string' },
      stage: { type: 'string' },
      issuer: { type: 'string' },
      'client-id': { type: 'string' },
      outputs: { type: 'string' },
      port: { type: 'string' },
      'no-browser': { type: 'boolean' },
      all: { type: 'boolean' },
      format: { type: 'string' },
      check: { type: 'boolean' },
      'from-data': { type: 'string' },
      subject: { type: 'string' },
      zendesk: { type: 'boolean' },
      hubspot: { type: 'boolean' },
    },
  });
  const [command, sub, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  switch (`${command} ${['run', 'start', 'login', 'rollback', 'replay', 'promote', 'erase'].includes(command) ? '' : (sub ?? '')}`.trim()) {
    case 'start':
      await import('../local/main.js');
      return;
    case 'login':
      if (values.stage || values.issuer || values['client-id']) {
        if (sub) throw new CliError(`login --stage signs in whoever signs in in the browser; drop "${sub}"`, 2);
        console.log(await (await import('./browser-login.js')).browserLogin({ stage: values.stage, issuer: values.issuer, clientId: values['client-id'], outputs: values.outputs, port: values.port, noBrowser: values['no-browser'] }));
        return;
      }
      return (await commands()).login(sub, process.env.HANDRAIL_DATA_DIR ?? '.handrail');
    case 'run':
      return (await commands()).runWorkflow(sub, values.input, process.env.HANDRAIL_DATA_DIR ?? '.handrail', values['idempotency-key']);
    case 'runs show':
      return (await commands()).showRun(rest[0]);
    case 'runs list':
      return (await commands()).listRuns(values.workflow, values.status);
    case 'runs redrive':
      return (await commands()).redriveRun(rest[0], values.reason);
    case 'approvals list':
      return (await commands()).listApprovals(values.status);
    case 'approvals approve':
    case 'approvals edit':
    case 'approvals reject':
      return (await commands()).decideApproval(sub as 'approve' | 'edit' | 'reject', rest[0], {
        token: values.token,
        text: values.text,
        textFile: values['text-file'],
        reason: values.reason,
        reasonCode: values['reason-code'],
      });
    case 'keys create':
      return (await commands()).createKey(rest[0], values.workflows);
    case 'keys list':
      return (await commands()).listKeys();
    case 'keys revoke':
      return (await commands()).revokeKey(rest[0]);
    case 'workflows list':
      return (await commands()).listWorkflows();
    case 'workflows show':
      return (await commands()).showWorkflow(rest[0]);
    case 'releases list':
      return (await commands()).listReleases(values.workflow);
    case 'releases show':
      return (await commands()).showRelease(rest[0]);
    case 'releases diff':
      return (await commands()).diffReleases(rest[0], rest[1]);
    case 'releases rollout':
      return (await commands()).showRollout(rest[0]);
    case 'replay':
      return (await import('./replay.js')).replay(sub, { release: values.release, from: values.from, to: values.to, limit: values.limit, out: values.out });
    case 'audit export':
      return (await import('./export.js')).exportRecords('audit', { format: values.format, from: values.from, to: values.to, out: values.out });
    case 'runs export':
      return (await import('./export.js')).exportRecords('runs', { format: values.format, from: values.from, to: values.to, out: values.out, workflow: values.workflow, status: values.status });
    case 'audit verify':
      return (await commands()).verifyAudit(values.from, values.to);
    case 'rollback':
      return (await commands()).rollback(sub, values.to, values.reason);
    case 'promote':
      return (await import('./promote.js')).promote(sub, { from: values.from, to: values.to, reason: values.reason, all: values.all, check: values.check, fromData: values['from-data'] });
    case 'erase':
      return (await import('./erase.js')).erase(values.subject, values.reason);
    case 'users disable':
      return (await commands()).disableUser(rest[0], values.reason);
    case 'users enable':
      return (await commands()).enableUser(rest[0]);
    case 'users disabled':
      return (await commands()).listDisabledUsers();
    case 'webhooks secret':
      return (await commands()).printWebhookSecret(rest[0], process.env.HANDRAIL_DATA_DIR ?? '.handrail', values.zendesk ? 'zendesk' : values.hubspot ? 'hubspot' : undefined);
    case 'reviewers inbox':
      return (await commands()).printInboxLink(rest[0], process.env.HANDRAIL_DATA_DIR ?? '.handrail');
    case 'reviewers token':
      return (await commands()).printReviewerToken(rest[0], process.env.HANDRAIL_DATA_DIR ?? '.handrail', values.days);
    case 'tokens create':
      return (await commands()).createToken(values.days);
    case 'tokens revoke':
      return (await commands()).revokeToken(rest[0]);
    case 'kb put':
      return (await commands()).kbPut(rest[0], rest[1]);
    case 'autonomy':
      return (await commands()).showAutonomy(values.workflow);
    case 'kb history':
      return (await commands()).kbHistory(rest[0], rest[1]);
    case 'kb diff':
      return (await commands()).kbDiff(rest[0], rest[1], rest[2]);
    case 'kb sync':
      if (!rest[0] || !values.from) throw new CliError('kb sync needs <collection> and --from <folder or s3://bucket/prefix/>; see `handrail --help`', 2);
      return (await import('./kb-sync.js')).kbSync(rest[0], values.from, values.path);
    case 'kb label':
      return (await commands()).kbLabel(rest[0], rest[1]);
    case 'kb labels':
      return (await commands()).kbLabels(rest[0]);
    case 'kb runs':
      return (await commands()).kbRuns(rest[0], rest[1]);
    case 'kb restore':
      return (await commands()).kbRestore(rest[0], rest[1], values.reason);
    case 'kb list':
      return (await commands()).kbList(rest[0]);
    default:
      throw new CliError(`unknown command "${positionals.join(' ')}"; run \`handrail --help\``, 2);
  }
}

main(process.argv.slice(2)).catch((err: unknown) => {
  const exitCode = err instanceof CliError ? err.exitCode : (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') ? 2 : 1;
  console.error(`handrail: ${(err as Error).message}`);
  process.exit(exitCode);
});
