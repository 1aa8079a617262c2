export { startGateway, type AdmissionLabels, type AdmissionRequest, type Gateway, type GatewayAdmission, type GatewayOptions, type GatewaySession, type GatewaySessionInfo, type GatewayUpstream, type UpstreamForward } from './gatewayServer';
export type { GatewayCallRecord } from './gatewayRecord';
export { StreamAssembler } from './streamAssembler';
export { completionAsEvents } from './completionEvents';
export { estimateRequestTokens, replyLimitOf, systemPromptOf } from './requestText';
