export { startGateway, type AdmissionLabels, type AdmissionRequest, type Gateway, type GatewayAdmission, type GatewayApi, type GatewayOptions, type GatewaySession, type GatewaySessionInfo, type GatewayUpstream, type UpstreamForward } from './gatewayServer';
export type { GatewayCallRecord } from './gatewayRecord';
export { StreamAssembler } from './streamAssembler';
export { completionAsEvents } from './completionEvents';
export { estimateRequestTokens, replyLimitOf, replyText, systemPromptOf } from './requestText';
export { ResponsesStreamReader, responseAsEvents } from './responsesStream';
