#include "client/inprocess_transport.h"

namespace orgtwin::client {

Result<HttpResponse> InProcessTransport::Send(const Endpoint& endpoint,
                                              const HttpRequest& request) {
  (void)endpoint;
  HttpRequest copy = request;  // Handle consumes its request; the client may retry with ours
  copy.remote_address = remote_address_;
  return gateway_.Handle(std::move(copy));
}

}  // namespace orgtwin::client
