/**
 * The environment a MAS needs to send its traces to an attach session: the standard OpenTelemetry
 * exporter variables, which every OTel SDK (Python, JS, Go, Java, .NET) reads. The traces-specific
 * variables are set as well, because a shell that already has one would otherwise win over the
 * generic one and send the traces elsewhere.
 */

export interface ExportVariable {
  name: string;
  value: string;
}

export function attachExportVariables(endpoint: string, headers: string): ExportVariable[] {
  return [
    { name: 'OTEL_EXPORTER_OTLP_ENDPOINT', value: endpoint },
    { name: 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT', value: `${endpoint}/v1/traces` },
    { name: 'OTEL_EXPORTER_OTLP_PROTOCOL', value: 'http/protobuf' },
    { name: 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL', value: 'http/protobuf' },
    { name: 'OTEL_EXPORTER_OTLP_HEADERS', value: headers },
    { name: 'OTEL_EXPORTER_OTLP_TRACES_HEADERS', value: headers },
    // Batches go out after at most a second, so the panel keeps up with the MAS.
    { name: 'OTEL_BSP_SCHEDULE_DELAY', value: '1000' },
  ];
}

export type ShellKind = 'posix' | 'powershell' | 'cmd';

/** The variables as lines to paste into a shell. Values are quoted for that shell. */
export function renderExports(variables: readonly ExportVariable[], shell: ShellKind): string {
  return variables
    .map(({ name, value }) => {
      switch (shell) {
        case 'posix':
          return `export ${name}='${value.replace(/'/g, `'\\''`)}'`;
        case 'powershell':
          return `$env:${name} = '${value.replace(/'/g, "''")}'`;
        case 'cmd':
          return `set "${name}=${value}"`;
      }
    })
    .join('\n');
}
