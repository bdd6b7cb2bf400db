/**
 * Threat-intelligence indicators (IOCs) for the sensor: feed parsers (pure, also used by the
 * server to validate imported feeds), the lookup index, the file loader and the detection stage.
 */
export { loadIocFiles, loadIocTexts, IOC_DEFAULT_MAX_ENTRIES, IOC_MAX_LISTED_ERRORS } from './iocLoader.ts';
export type { IocLoad, IocLoadOptions, IocLoadStats } from './iocLoader.ts';
export { parseIocText, parseIocInto, FeedReader, IocFeedError, feedNameOf, IOC_JSON_MAX_BYTES } from './iocParse.ts';
export type { IocParseOptions, IocParseResult } from './iocParse.ts';
export { detectIocFormat, formatPlainIocLines, IOC_FORMATS } from './lineFormats.ts';
export type { IocFormat, IocSink } from './lineFormats.ts';
export { IOC_MAX_LINE_BYTES } from './feedLines.ts';
export { IocIndex } from './iocIndex.ts';
export type { IocAddResult, IocMatch } from './iocIndex.ts';
export { IocStage, IOC_SID, iocVerdict } from './iocStage.ts';
export type { IocPlace } from './iocStage.ts';
export { IOC_TYPES, classifyIoc, normaliseIocValue, normaliseDomain, normaliseUrl } from './iocValue.ts';
export type { IocClass, IocEntry, IocLineError, IocType } from './iocValue.ts';
export { readStixPattern } from './stixFeed.ts';
