/** One Powertools logger per process, shared by every handler (service name = Handrail). */
import { Logger } from '@aws-lambda-powertools/logger';

export const logger = new Logger({ serviceName: 'handrail' });
