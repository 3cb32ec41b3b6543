// Says in a few words why a TCP connection failed, for messages like "Could not reach x (…)".

export function socketProblem(
  err: { code?: string | number; message: string },
  host: string,
): string {
  switch (err.code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return 'no route to host';
    case 'ETIMEDOUT':
      return 'timed out';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `the name ${host} could not be resolved`;
    case 'ECONNRESET':
      return 'connection reset';
    case 'EPIPE':
      return 'connection broken';
    default:
      return typeof err.code === 'string' ? err.code : err.message;
  }
}
