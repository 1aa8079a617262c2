// OpenTelemetry for this MAS: spans go to the OTLP endpoint in OTEL_EXPORTER_OTLP_ENDPOINT (TRUCE
// sets it, with the protocol and a bearer token, when truce.yaml says `otlp: true`). Without
// that variable nothing is exported and the program still runs. The OpenInference instrumentation
// turns LangChain's callbacks — every chat model call inside the graph — into spans with the
// messages, the model and the token counts.
// LangChain runs tracing callbacks in the background by default, outside the OpenTelemetry
// context of the call; in the foreground, the `agent.name` that mas.mjs puts on the context
// reaches every span. (ES imports are hoisted, so this is set before @langchain/core reads it.)
import './foregroundCallbacks.mjs';
import * as CallbackManagerModule from '@langchain/core/callbacks/manager';
import { LangChainInstrumentation } from '@arizeai/openinference-instrumentation-langchain';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';

const exporting = Boolean(process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);

// The exporter reads the endpoint, headers and protocol settings from the OTEL_* variables;
// OTEL_RESOURCE_ATTRIBUTES (TRUCE puts the task and run ids there) is merged into the resource.
export const provider = new NodeTracerProvider({
  resource: resourceFromAttributes({ 'service.name': 'langgraph-js-example' }),
  spanProcessors: exporting ? [new BatchSpanProcessor(new OTLPTraceExporter())] : [],
});
provider.register();

// ES modules cannot be patched on import, so the callback manager is handed over by hand.
new LangChainInstrumentation().manuallyInstrument(CallbackManagerModule);
