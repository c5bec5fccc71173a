// ApiVersions (key 18): our ranges, straight from the API registry. v3 names the client software,
// which Kafka checks against a pattern (INVALID_REQUEST otherwise). Versions we do not serve never
// reach this handler: the dispatcher answers them in v0.

import { apiVersionsBody, CLIENT_SOFTWARE_PATTERN, ErrorCode } from '../../protocol';
import { Handler } from '../context';

const CLIENT_SOFTWARE_FIRST_VERSION = 3;

export const handleApiVersions: Handler<'ApiVersions'> = (request, rc) => {
  const body = apiVersionsBody();
  if (rc.apiVersion < CLIENT_SOFTWARE_FIRST_VERSION) return body;
  const valid =
    CLIENT_SOFTWARE_PATTERN.test(request.clientSoftwareName) &&
    CLIENT_SOFTWARE_PATTERN.test(request.clientSoftwareVersion);
  return valid ? body : { ...body, errorCode: ErrorCode.INVALID_REQUEST };
};
