import { normalizeClusterResources } from '../normalize/cluster-resources.js';
import { unwrapEnvelope } from './envelope.js';

/**
 * ANSWER_DECODERS turn the body of a successful PVE answer into its normalised result: parse,
 * unwrap the envelope, normalise. They are pure functions of the text, so an
 * {@link AnswerDecoder} may run them on any thread; malformed answers throw
 * `PveBadResponseError` exactly as the inline path does. Only answers that grow with the cluster
 * (one row per guest) are worth a registry entry.
 */
export const ANSWER_DECODERS = {
  'cluster-resources': (text: string) => normalizeClusterResources(unwrapEnvelope(text)),
} as const;

/** AnswerDecoderName names an entry of {@link ANSWER_DECODERS}. */
export type AnswerDecoderName = keyof typeof ANSWER_DECODERS;

/** DecodedAnswer is what the decoder `name` returns. */
export type DecodedAnswer<N extends AnswerDecoderName> = ReturnType<(typeof ANSWER_DECODERS)[N]>;

/**
 * AnswerDecoder runs {@link ANSWER_DECODERS}: inline ({@link inlineDecoder}) or on a worker
 * thread (`OffThreadDecoder`), so that parsing a 10,000-row answer does not stall the event loop.
 */
export interface AnswerDecoder {
  decode<N extends AnswerDecoderName>(name: N, text: string): Promise<DecodedAnswer<N>>;
}

/** inlineDecoder decodes on the calling thread (the default; small answers always do). */
export const inlineDecoder: AnswerDecoder = {
  async decode(name, text) {
    return ANSWER_DECODERS[name](text) as DecodedAnswer<typeof name>;
  },
};
