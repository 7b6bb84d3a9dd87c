import type { INodeExecutionData, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

/** Answers a delivery without starting the workflow. */
function reject(context: IWebhookFunctions, status: number, body: object): IWebhookResponseData {
	context.getResponseObject().status(status).json(body).end();
	return { noWebhookResponse: true };
}

/** Wrong or missing webhook secret: 401, no execution. The secret itself is never echoed or logged. */
export function rejectUnauthorized(context: IWebhookFunctions): IWebhookResponseData {
	return reject(context, 401, { error: 'Unauthorized' });
}

/** A body this trigger cannot read: 400 with a short reason, no execution. */
export function rejectBadRequest(context: IWebhookFunctions, reason: string): IWebhookResponseData {
	return reject(context, 400, { error: 'Bad Request', reason });
}

/** A valid delivery with nothing to run (filtered out, duplicate, echo): 200 so the platform does not retry. */
export function acknowledgeOnly(): IWebhookResponseData {
	return { webhookResponse: { received: true } };
}

/**
 * A delivery that starts the workflow: answered 200 here, before the execution starts. n8n (2.40)
 * saves what webhook() wrote to static data (the duplicate window) only when the node answers the
 * request itself; when n8n answers, the execution starts first and that write is lost.
 */
export function startWorkflow(context: IWebhookFunctions, items: INodeExecutionData[]): IWebhookResponseData {
	context.getResponseObject().status(200).json({ received: true }).end();
	return { noWebhookResponse: true, workflowData: [items] };
}
