/** Lambda entry of the HTTP API (API Gateway HTTP API, payload format 2.0). */
import { handle } from 'hono/aws-lambda';
import { createApp } from './app.js';

export const handler = handle(createApp());
