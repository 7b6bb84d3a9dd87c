/** Platform simulators for tests, e2e runs and people trying the package without accounts. */
export { LandbotSimulator } from './landbot';
export type {
	LandbotSimulatorOptions,
	LandbotAgent,
	LandbotChannel,
	LandbotChannelType,
	LandbotHook,
	LandbotMessage,
	LandbotCustomerState,
	LandbotApiCall,
	LandbotDeliveryAttempt,
	CreateCustomerInput,
	CustomerSaysInput,
	BotSaysInput,
	WebhookBlockInput,
	WebhookBlockCall,
} from './landbot';
export { TiledeskSimulator, REQUEST_STATUS, MESSAGE_STATUS } from './tiledesk';
export type {
	TiledeskSimulatorOptions,
	TiledeskRole,
	TiledeskUser,
	TiledeskProject,
	TiledeskProjectUser,
	TiledeskDepartment,
	TiledeskBot,
	TiledeskMessage,
	TiledeskApiCall,
	TiledeskDeliveryAttempt,
} from './tiledesk';
export { WebhookReceiver } from './receiver';
export type { ReceivedRequest, Responder } from './receiver';
export { httpRequest } from './http';
export type { FaultInjection } from './http';
export type { HttpResult, HttpRequestOptions } from './http';
export { LiveChatSimulator, parseMultipartFile } from './livechat';
export type {
	LiveChatSimulatorOptions,
	LiveChatAgent,
	LiveChatBot,
	LiveChatGroup,
	LiveChatCustomer,
	LiveChatEvent,
	LiveChatWebhook,
	LiveChatApiCall,
	LiveChatDeliveryAttempt,
} from './livechat';
export { BotpressSimulator, BotpressHitlError } from './botpress';
export type {
	BotpressSimulatorOptions,
	BotpressUser,
	BotpressConversationView,
	BotpressVisibleMessage,
	BotpressServiceCall,
	BotpressWebhookCall,
	BotpressHitlState,
} from './botpress';
export { SalesforceLiveAgentSimulator } from './salesforce';
export type {
	SalesforceLiveAgentSimulatorOptions,
	LiveAgentSessionState,
	LiveAgentMessage,
	LiveAgentTranscriptEntry,
	LiveAgentSessionInfo,
	LiveAgentApiCall,
} from './salesforce';
export { SalesforceEnhancedChatSimulator, SseClient } from './salesforceEnhancedChat';
export type {
	SalesforceEnhancedChatSimulatorOptions,
	EnhancedChatConversationView,
	EnhancedChatTranscriptLine,
	EnhancedChatEntryJson,
	EnhancedChatApiCall,
	AgentSaysInput,
	AgentAttachmentInput,
	EnhancedChatFailRule,
	EnhancedChatSenderRole,
	EnhancedChatRoutingStatus,
	EnhancedChatSessionStatus,
	SseMessage,
} from './salesforceEnhancedChat';
export { TeamsSimulator, TEAMS_DEFAULT_AGENT } from './teams';
export type { TeamsSimulatorOptions, GraphUser, GraphApiCall, NotificationAttempt, GraphSubscription, TeamsUserPostInput } from './teams';
export { ChatwootSimulator, CHATWOOT_WEBHOOK_EVENTS, CHATWOOT_AGENT_BOT_EVENTS } from './chatwoot';
export type {
	ChatwootSimulatorOptions,
	ChatwootSeed,
	ChatwootUserView,
	CustomerWritesInput,
	ChatwootApiCall,
	ChatwootDeliveryAttempt,
	ChatwootConversationStatus,
	ChatwootDeliveryKind,
	ChatwootUploadedFile,
} from './chatwoot';
export { CrispSimulator, CRISP_HOOK_EVENTS } from './crisp';
export type {
	CrispSimulatorOptions,
	CrispSeed,
	CrispToken,
	CrispApiCall,
	CrispDeliveryAttempt,
	CrispHookKind,
	CrispSessionState,
	CrispMessageType,
} from './crisp';
