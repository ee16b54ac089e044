// What the Lambda control plane works with, wired once by the daemon.
#pragma once

#include <mutex>

#include "auth/credentials.h"
#include "common/clock.h"
#include "invoke/concurrency_limits.h"
#include "invoke/invoker.h"
#include "lambda/function_record.h"
#include "sandbox/code_cache.h"
#include "services/iam/iam_service.h"
#include "store/blob_store.h"
#include "store/store.h"

namespace lamina::lambda {

class AsyncDispatcher;

struct LambdaDeps {
  LambdaDeps(store::Store* s, store::BlobStore* b, const Clock* c, const auth::Credential* signer,
             services::iam::IamService* i, invoke::Invoker* inv, sandbox::CodeCache* cc,
             invoke::ConcurrencyLimits* limits)
      : store(s),
        blobs(b),
        clock(c),
        code_signer(signer),
        iam(i),
        invoker(inv),
        code(cc),
        concurrency(limits) {}

  store::Store* store;
  store::BlobStore* blobs;
  const Clock* clock;
  const auth::Credential* code_signer;  // presigns Code.Location download URLs
  services::iam::IamService* iam;
  invoke::Invoker* invoker;  // runs functions; null where sandboxes are unavailable
  sandbox::CodeCache* code;  // unpacked packages for /var/task
  invoke::ConcurrencyLimits* concurrency;
  FunctionRepository functions{store};
  AsyncDispatcher* async = nullptr;  // runs Event invokes; null where functions cannot run
  // Serialises code-blob writes against blob garbage collection, so a blob is never removed
  // while a new record is about to name it.
  std::mutex code_mu;
  // Serialises reservations, so two at once cannot both take the last of the unreserved pool.
  std::mutex concurrency_mu;
};

}  // namespace lamina::lambda
