/** The CDK app: `npx cdk synth -c stage=dev`, `npx cdk deploy -c stage=prod`, `npx cdk deploy -c stage=pipeline`. */
import { buildCdkApp } from '../app-factory.js';

try {
  buildCdkApp();
} catch (err) {
  // One line that says what to fix (a bad workflow file or stage), not a stack trace.
  console.error(`handrail: ${(err as Error).message}`);
  process.exit(1);
}
