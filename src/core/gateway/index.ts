export { startGateway, type Gateway, type GatewayOptions } from './gatewayServer';
export type { GatewayCallRecord } from './gatewayRecord';
export { StreamAssembler } from './streamAssembler';
