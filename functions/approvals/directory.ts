/** The reviewer directory for handlers: read once per process from HANDRAIL_DIRECTORY_FILE. */
import { defaultDirectoryFile, loadDirectory, type Directory } from '../../state-machines/directory.js';
import { ENV } from '../shared/env-names.js';

let cached: Directory | undefined;

export function directory(): Directory {
  cached ??= loadDirectory(process.env[ENV.directoryFile] || defaultDirectoryFile);
  return cached;
}
