// SLS error responses: every failure leaves the emulator as `status + {errorCode, errorMessage}`,
// exactly the shape all SDKs parse (docs/sls-protocol.md, "Errors and retry classes").

export class SlsError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "SlsError";
  }

  toJSON(): { errorCode: string; errorMessage: string } {
    return { errorCode: this.code, errorMessage: this.message };
  }
}

/** Constructors for the codes the emulator emits, so statuses stay consistent across files. */
export const errors = {
  parameterInvalid: (m: string) => new SlsError(400, "ParameterInvalid", m),
  invalidCursor: (m: string) => new SlsError(400, "InvalidCursor", m),
  postBodyInvalid: (m: string) => new SlsError(400, "PostBodyInvalid", m),
  postBodyUncompressError: (m: string) => new SlsError(400, "PostBodyUncompressError", m),
  postBodyTooLarge: (m: string) => new SlsError(413, "PostBodyTooLarge", m),
  invalidContentType: (m: string) => new SlsError(400, "InvalidContentType", m),
  invalidContentMd5: (m: string) => new SlsError(400, "InvalidContentMD5", m),
  invalidHost: (m: string) => new SlsError(400, "InvalidHost", m),
  requestTimeExpired: (m: string) => new SlsError(400, "RequestTimeExpired", m),
  invalidRequestTime: (m: string) => new SlsError(400, "InvalidRequestTime", m),
  signatureNotMatch: (m: string) => new SlsError(401, "SignatureNotMatch", m),
  unauthorized: (m: string) => new SlsError(401, "Unauthorized", m),
  forbidden: (m: string) => new SlsError(403, "Forbidden", m),
  unsupportedMediaType: (m: string) => new SlsError(415, "UnsupportedMediaType", m),
  invalidAccessKeyId: (m: string) => new SlsError(401, "InvalidAccessKeyId", m),
  projectNotExist: (p: string) => new SlsError(404, "ProjectNotExist", `The Project does not exist : ${p}`),
  projectAlreadyExist: (p: string) => new SlsError(400, "ProjectAlreadyExist", `Project ${p} already exist`),
  logStoreNotExist: (l: string) => new SlsError(404, "LogStoreNotExist", `logstore ${l} does not exist`),
  logStoreAlreadyExist: (l: string) => new SlsError(400, "LogStoreAlreadyExist", `logstore ${l} already exists`),
  logStoreWithoutShard: (l: string) => new SlsError(400, "LogStoreWithoutShard", `logstore ${l} has no writable shard`),
  shardNotExist: (s: number | string) => new SlsError(400, "ShardNotExist", `shard ${s} does not exist`),
  shardReadOnly: (s: number) => new SlsError(400, "ParameterInvalid", `shard ${s} is readonly`),
  consumerGroupNotExist: (g: string) => new SlsError(404, "ConsumerGroupNotExist", `consumer group ${g} does not exist`),
  consumerGroupAlreadyExist: (g: string) => new SlsError(400, "ConsumerGroupAlreadyExist", `consumer group ${g} already exist`),
  consumerGroupQuotaExceed: (n: number) => new SlsError(400, "ConsumerGroupQuotaExceed", `a logstore can have at most ${n} consumer groups`),
  // "Exsit" is the spelling the reference clients check for (docs/sls-protocol.md, "Errors and retry classes").
  consumerNotExist: (c: string) => new SlsError(400, "ConsumerNotExsit", `consumer ${c} does not exist`),
  consumerNotMatch: (c: string, s: number) => new SlsError(400, "ConsumerNotMatch", `consumer ${c} does not hold shard ${s}`),
  notExistConsumerWithBody: (c: string) => new SlsError(400, "NotExistConsumerWithBody", `consumer ${c} is not registered and sent a non-empty shard list`),
  methodNotAllowed: (m: string) => new SlsError(405, "MethodNotAllowed", m),
  notFound: (m: string) => new SlsError(404, "NotFound", m),
  internal: (m: string) => new SlsError(500, "InternalServerError", m),
};
