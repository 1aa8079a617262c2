/** Why an attach could not start, said so that the user knows what to do next. */

export class AttachSetupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AttachSetupError';
  }
}

/** The receiver's listen error as advice: which port, what is probably holding it, what to try. */
export function describeListenError(error: unknown, port: number): string {
  const code = (error as NodeJS.ErrnoException).code;
  const next = port === 65535 ? 4319 : port + 1;
  if (code === 'EADDRINUSE') {
    return (
      `Port ${port} on 127.0.0.1 is already in use — by an OpenTelemetry Collector, another attach (in a terminal or another window), or another program. ` +
      `Stop that program, or attach on a free port (for example ${next}) and point the MAS's exporter there with OTEL_EXPORTER_OTLP_ENDPOINT=http://127.0.0.1:${next}.`
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    return `This user may not listen on port ${port}${port < 1024 ? ' (ports below 1024 need administrator rights)' : ''}; attach on a port such as 4318 or ${port < 1024 ? 4319 : next}.`;
  }
  return `Could not listen on 127.0.0.1:${port}: ${(error as Error).message ?? String(error)}.`;
}
