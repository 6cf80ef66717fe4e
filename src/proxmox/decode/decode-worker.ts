// The body of the answer-decoding worker thread (see OffThreadDecoder): it receives
// { id, name, text }, runs ANSWER_DECODERS[name](text) and posts { id, result } or
// { id, error } back. Errors travel as plain data; the decoder rebuilds them.
import { parentPort } from 'node:worker_threads';
import { PveBadResponseError } from '../errors.js';
import { ANSWER_DECODERS } from './answer-decoders.js';
import type { DecodeReply, DecodeRequest } from './decode-protocol.js';

const port = parentPort;
if (port === null) throw new Error('decode-worker.ts runs as a worker thread only');

port.on('message', ({ id, name, text }: DecodeRequest) => {
  let reply: DecodeReply;
  try {
    reply = { id, result: ANSWER_DECODERS[name](text) };
  } catch (err) {
    reply =
      err instanceof PveBadResponseError
        ? { id, error: { badResponse: true, message: err.message, field: err.field } }
        : { id, error: { badResponse: false, message: String((err as Error)?.message ?? err) } };
  }
  port.postMessage(reply);
});
