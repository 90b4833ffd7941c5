/** `npm start`: the whole of Handrail on this machine, no AWS account, keys or network needed. */
import { startLocalRuntime } from './runtime.js';
import { DEFAULT_SMTP_PORT } from './smtp-listener.js';
import { localStageDir } from './stage-file.js';

const port = Number(process.env.PORT ?? 3000);
const smtpPort = Number(process.env.HANDRAIL_SMTP_PORT ?? DEFAULT_SMTP_PORT);
if (!Number.isInteger(smtpPort) || smtpPort < 0 || smtpPort > 65535) {
  console.error(`handrail: HANDRAIL_SMTP_PORT must be a port number (0-65535); received "${process.env.HANDRAIL_SMTP_PORT}"`);
  process.exit(2);
}
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error(`handrail: PORT must be a port number (0-65535); received "${process.env.PORT}"`);
  process.exit(2);
}

// A runtime can play a stage of the pipeline (stages.yaml pipeline.order), in a data folder of its own.
const pipelineStage = process.env.HANDRAIL_PIPELINE_STAGE || undefined;
const dataDir = process.env.HANDRAIL_DATA_DIR ?? localStageDir(pipelineStage);

try {
  const runtime = await startLocalRuntime({ dataDir, port, smtpPort, host: process.env.HOST ?? '127.0.0.1', pipelineStage });
  const providers = process.env.HANDRAIL_PROVIDERS ?? 'offline';
  console.log(`Handrail${pipelineStage ? ` (stage ${pipelineStage})` : ''} is running at ${runtime.url}  (data in ${dataDir}/, model providers: ${providers})`);
  // The CLI finds this runtime (URL, data folder) through its environment when they are not the defaults.
  const cliEnv = [runtime.url !== 'http://localhost:3000' ? `HANDRAIL_URL=${runtime.url}` : '', dataDir !== '.handrail' ? `HANDRAIL_DATA_DIR=${dataDir}` : ''].filter(Boolean).join(' ');
  const cli = `${cliEnv ? `${cliEnv} ` : ''}npx handrail`;
  console.log('Try it (the webhook call is signed with the workflow\'s secret; every read needs a sign-in):');
  console.log(`  echo '{"ticketId":"T-1","subject":"Refund","body":"How do I get a refund for my annual plan?"}' > ticket.json`);
  console.log(`  ${cli} run support-reply --input ticket.json`);
  console.log(`  export HANDRAIL_TOKEN=$(${cli} login admin@example.com) && ${cli} approvals list   (Ctrl-C to stop)`);
  if (runtime.smtpPort !== undefined) console.log(`Mail for the stage's addresses (stages.yaml email.receive) is received on smtp://localhost:${runtime.smtpPort}; replies land in GET /outbox`);
  console.log(`Sign in with a browser at ${runtime.url}/auth/login, with the sign-in code in ${dataDir}/identity/sign-in-code (cat it; only this machine's operator can)`);
  const stop = async () => {
    await runtime.stop();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
} catch (err) {
  console.error(`handrail: ${(err as Error).message}`);
  process.exit(1);
}
