/**
 * The Microsoft Graph (Teams) simulator (see simulator.ts); its code is split by API area, one
 * layer of the class per file: state.ts → subscriptions.ts → webApi.ts → messagesApi.ts → simulator.ts.
 */
export { TeamsSimulator, DEFAULT_AGENT as TEAMS_DEFAULT_AGENT } from './simulator';
export { retryDelayMs, MAX_CHAT_MESSAGE_SUBSCRIPTION_MINUTES } from './common';
export type {
	TeamsSimulatorOptions,
	GraphUser,
	GraphApiCall,
	NotificationAttempt,
	SubscriptionRecord as GraphSubscription,
	UserPostInput as TeamsUserPostInput,
} from './common';
export type { ValidationResult } from './subscriptions';
