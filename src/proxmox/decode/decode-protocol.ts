import type { AnswerDecoderName } from './answer-decoders.js';

/** DecodeRequest is one answer sent to the decoding worker. */
export interface DecodeRequest {
  id: number;
  name: AnswerDecoderName;
  text: string;
}

/**
 * DecodeReply is the worker's answer to the request `id`: the decoded result, or the error it
 * threw as plain data (`badResponse`: a PveBadResponseError naming `field`).
 */
export type DecodeReply =
  | { id: number; result: unknown; error?: undefined }
  | {
      id: number;
      result?: undefined;
      error: { badResponse: boolean; message: string; field?: string };
    };
