/**
 * The Botpress simulator (see simulator.ts); its code is split by API area, one layer of the class
 * per file.
 */
export { BotpressSimulator } from './simulator';
export { BotpressHitlError } from './common';
export type {
	BotpressSimulatorOptions,
	ServicePath,
	BotpressUser,
	BotpressVisibleMessage,
	BotpressHitlState,
	BotpressConversationView,
	BotpressServiceCall,
	BotpressWebhookCall,
} from './common';
