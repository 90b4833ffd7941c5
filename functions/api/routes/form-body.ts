/** A posted HTML form; a body that is not one (e.g. multipart without a boundary) is a 400 page. */
import type { Context } from 'hono';
import { ValidationError } from '../../shared/errors.js';
import { isClientAbort } from '../client-abort.js';

export async function formOf(c: Context): Promise<unknown> {
  try {
    return await c.req.parseBody();
  } catch (err) {
    if (isClientAbort(err, c)) throw err;
    throw new ValidationError('form: the request body is not a form this page sends', 'form');
  }
}
