// OpenTelemetry for this MAS: spans go to the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT (TRUCE
// sets it, with the protocol and a bearer token, when truce.yaml says `otlp: true`). Without
// that variable nothing is exported and the program still runs. The OpenInference processor
// turns the Agents SDK's own trace — agent runs and model calls with their messages and token
// counts — into OpenTelemetry spans. It replaces the SDK's default processor, so no trace is
// ever sent to OpenAI's tracing service.
import * as agents from '@openai/agents';
import { OpenAIAgentsInstrumentation } from '@arizeai/openinference-instrumentation-openai-agents';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const exporting = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

// The exporter reads the endpoint, headers and protocol from the OTEL_* variables;
// OTEL_RESOURCE_ATTRIBUTES (TRUCE puts the task and run ids there) is merged into the resource.
export const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'openai-agents-js-example' }),
  spanProcessors: exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [],
});
provider.register();

new OpenAIAgentsInstrumentation({ tracerProvider: provider }).manuallyInstrument(agents);
