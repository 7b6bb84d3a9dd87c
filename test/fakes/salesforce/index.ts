/**
 * The Salesforce Live Agent simulator (see simulator.ts); its code is split by API area, one layer
 * of the class per file.
 */
export { SalesforceLiveAgentSimulator } from './simulator';
export type {
	SalesforceLiveAgentSimulatorOptions,
	LiveAgentSessionState,
	LiveAgentMessage,
	LiveAgentTranscriptEntry,
	LiveAgentSessionInfo,
	LiveAgentApiCall,
} from './common';
