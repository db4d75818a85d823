import { ENGINE_VOCABULARY } from '../../server/generator/engine-source';
import { VocabularyCodec } from '../../server/protocol/vocabulary';

/** The engine's keys and instructions, as a server with the engine source speaks them. */
export const engineVocabulary = new VocabularyCodec(ENGINE_VOCABULARY);
