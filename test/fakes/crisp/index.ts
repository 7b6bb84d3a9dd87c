/**
 * The Crisp simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file.
 */
export { CrispSimulator } from './simulator';
export type { CrispSeed, CrispToken } from './simulator';
export { HOOK_EVENTS as CRISP_HOOK_EVENTS, crispSignature } from './state';
export type {
	CrispSimulatorOptions,
	CrispApiCall,
	CrispDeliveryAttempt,
	HookKind as CrispHookKind,
	SessionState as CrispSessionState,
	MessageType as CrispMessageType,
} from './state';
