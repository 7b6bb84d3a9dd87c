/**
 * The Slack simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file: state.ts → events.ts → webApi.ts → messagesApi.ts → filesApi.ts → simulator.ts.
 */
export { SlackSimulator, DEFAULT_AGENT } from './simulator';
export { slackSignature, tsToMicros, RETRY_DELAYS_MS } from './common';
export type {
	SlackSimulatorOptions,
	SlackFaults,
	SlackApiCall,
	SlackDeliveryAttempt,
	SlackUser,
	UserPostOptions,
	ChannelType,
} from './common';
export type { UrlVerificationResult } from './events';
