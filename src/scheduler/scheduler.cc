#include "scheduler/scheduler.h"

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <deque>
#include <future>
#include <list>
#include <map>
#include <optional>
#include <set>

#include "common/clock.h"
#include "common/log.h"
#include "common/token_bucket.h"

namespace lamina::scheduler {

namespace asio = boost::asio;

namespace {

constexpr int kBackgroundNice = 10;

// Linux applies a nice value to the one thread named (not to the whole process).
void SetThreadNice(int nice) { ::setpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()), nice); }

}  // namespace

class Scheduler::Impl {
 public:
  Impl(SchedulerOptions options, const sandbox::CgroupHost* cgroups, asio::io_context& io)
      : options_(std::move(options)),
        cgroups_(cgroups),
        io_(io),
        reaper_(io_),
        cleanup_(1),
        spawner_(2) {
    // Teardown is background work too.
    asio::post(cleanup_, [] { SetThreadNice(kBackgroundNice); });
    ScheduleReap();
    Replenish();
  }

  ~Impl() {
    spawner_.join();
    cleanup_.join();
  }

  void Shutdown() {
    asio::dispatch(io_, [this] {
      if (stopping_) return;
      stopping_ = true;
      reaper_.cancel();
      for (BlankSandbox& blank : spares_) Discard(std::move(blank));
      spares_.clear();
      for (auto& [name, pool] : pools_) {
        for (auto& env : pool) Destroy(env);
      }
      pools_.clear();
      retiring_.clear();
    });
  }

  void Invoke(FunctionSpec spec, InvocationRequest request, Done done) {
    asio::dispatch(io_, [this, spec = std::move(spec), request = std::move(request),
                         done = std::move(done)]() mutable {
      Route(std::move(spec), std::move(request), std::move(done));
    });
  }

  void Provision(FunctionSpec spec, int count) {
    asio::dispatch(io_, [this, spec = std::move(spec), count]() mutable {
      std::string key = spec.name + "\n" + spec.version;
      spec.initialization_type = "provisioned-concurrency";
      if (count <= 0) {
        provisioned_.erase(key);
        Maintain(spec, 0);
        return;
      }
      auto& wanted = provisioned_[key];
      wanted = {std::move(spec), count};
      Maintain(wanted.first, wanted.second);
    });
  }

  int ProvisionedReady(const std::string& name, const std::string& version) {
    auto answer = std::make_shared<std::promise<int>>();
    std::future<int> ready = answer->get_future();
    asio::dispatch(io_, [this, answer, name, version] {
      int ready = 0;
      if (auto it = pools_.find(name); it != pools_.end()) {
        for (auto& env : it->second) {
          auto state = env->state();
          if (env->provisioned() && env->spec().version == version &&
              state != Environment::State::kStarting && state != Environment::State::kDead) {
            ++ready;
          }
        }
      }
      answer->set_value(ready);
    });
    // A loop that has stopped (shutting down) answers nothing: none are ready then.
    if (ready.wait_for(std::chrono::seconds(5)) != std::future_status::ready) return 0;
    return ready.get();
  }

  void Retire(const std::string& name, const std::string& version) {
    asio::dispatch(io_, [this, name, version] {
      auto it = pools_.find(name);
      if (it == pools_.end()) return;
      for (auto env = it->second.begin(); env != it->second.end();) {
        if (!version.empty() && (*env)->spec().version != version) {
          ++env;
          continue;
        }
        // A starting or busy one finishes its invocation first (on the old code, as on AWS).
        auto state = (*env)->state();
        if (state == Environment::State::kBusy || state == Environment::State::kStarting) {
          retiring_.insert(env->get());
          ++env;
        } else {
          Destroy(*env);
          env = it->second.erase(env);
        }
      }
    });
  }

 private:
  using Pool = std::list<std::shared_ptr<Environment>>;

  // Runs `request` on a warm environment of its function's revision, else on a new one.
  void Route(FunctionSpec spec, InvocationRequest request, Done done) {
    if (stopping_) {
      InvocationResult r;
      r.kind = InvocationResult::Kind::kPlatformError;
      r.payload = "Lamina is shutting down";
      return done(std::move(r));
    }
    auto& pool = pools_[spec.name];
    RetireExpiring(pool, spec.timeout_s);
    // Warm: the most recently used idle environment of this revision; failing that, one whose
    // runtime has answered but not yet come back for the next event (it will, in microseconds).
    std::shared_ptr<Environment> warm;
    for (auto it = pool.rbegin(); it != pool.rend(); ++it) {
      auto state = (*it)->state();
      if ((*it)->spec().revision_id != spec.revision_id) continue;
      if (state == Environment::State::kIdle) {
        warm = *it;
        break;
      }
      if (state == Environment::State::kFinishing && !warm) warm = *it;
    }
    if (warm) return warm->Invoke(std::move(request), Wrap(warm, std::move(done)));
    auto bucket = scaling_.try_emplace(spec.name, options_.scale_per_10s, std::chrono::seconds(10));
    if (!bucket.first->second.Take(std::chrono::steady_clock::now())) {
      return done(Throttled("FunctionInvocationRateLimitExceeded", "Rate Exceeded."));
    }
    if (!MakeRoom(spec.memory_mb)) {
      log::Warn(
          "memory budget for execution environments in use: cold start throttled",
          {{"function", spec.name}, {"budget_mb", std::to_string(options_.memory_budget_mb)}});
      return done(Throttled("ConcurrentInvocationLimitExceeded",
                            "Rate Exceeded. The host's memory budget for execution environments (" +
                                std::to_string(options_.memory_budget_mb) + " MB) is in use."));
    }
    StartCold(std::move(spec), std::move(request), std::move(done), false);
  }

  // Whether environments of `spec` get outbound network.
  bool Outbound(const FunctionSpec& spec) const {
    return options_.outbound_network == OutboundNetwork::kAll ||
           (options_.outbound_network == OutboundNetwork::kTagged && spec.wants_outbound_network);
  }

  // Whether `env` is one of the provisioned environments still wanted (never reaped for
  // idleness); those no longer wanted go like on-demand ones.
  bool KeptProvisioned(const Environment& env) const {
    return env.provisioned() && provisioned_.count(env.spec().name + "\n" + env.spec().version);
  }

  // Starts or stops provisioned environments of `spec`'s version until `count` are alive (dead
  // ones are left to the reaper, which calls this again).
  void Maintain(const FunctionSpec& spec, int count) {
    if (stopping_) return;
    auto& pool = pools_[spec.name];
    int alive = 0;
    for (auto env = pool.begin(); env != pool.end();) {
      bool mine = (*env)->provisioned() && (*env)->spec().version == spec.version;
      auto state = (*env)->state();
      if (mine && state != Environment::State::kDead && alive >= count &&
          state == Environment::State::kIdle) {
        Destroy(*env);
        env = pool.erase(env);
        continue;
      }
      if (mine && state != Environment::State::kDead) ++alive;
      ++env;
    }
    for (; alive < count; ++alive) StartProvisioned(spec);
  }

  void StartProvisioned(FunctionSpec spec) {
    if (!MakeRoom(spec.memory_mb)) return;  // tried again at the reaper's next pass
    if (options_.issue_credentials) {
      if (Status issued = options_.issue_credentials(spec); !issued.ok()) {
        log::Warn("cannot provision an environment", {{"error", issued.ToString()}});
        return;
      }
    }
    bool outbound = Outbound(spec);
    auto env = std::make_shared<Environment>(io_, std::move(spec), NextUid(), options_.relay);
    pools_[env->spec().name].push_back(env);
    SpawnOffLoop(
        Priority::kBackground,
        [this, env](StatusOr<BlankSandbox> blank) mutable {
          if (stopping_) {
            if (blank.ok()) Discard(std::move(*blank));
            blank = Internal("Lamina is shutting down");
          }
          env->Provision(std::move(blank), [] {});
        },
        outbound);
  }

  // Removes the idle environments whose role credentials would expire before an invocation of
  // `timeout_s` ends (with a second to spare); busy ones are retired when they finish.
  void RetireExpiring(Pool& pool, int timeout_s) {
    int64_t deadline = ::lamina::NowMillis() + (timeout_s + 1) * 1000LL;
    for (auto it = pool.begin(); it != pool.end();) {
      int64_t expires = (*it)->spec().credentials_expire_ms;
      if (expires == 0 || expires > deadline) {
        ++it;
        continue;
      }
      auto state = (*it)->state();
      if (state == Environment::State::kIdle || state == Environment::State::kFinishing) {
        Destroy(*it);
        it = pool.erase(it);
      } else {
        retiring_.insert(it->get());
        ++it;
      }
    }
  }

  static InvocationResult Throttled(std::string reason, std::string message) {
    InvocationResult r;
    r.kind = InvocationResult::Kind::kThrottled;
    r.payload = std::move(reason);
    r.error_type = std::move(message);
    return r;
  }

  // Whether an environment of `memory_mb` fits the memory budget, after reaping idle
  // environments (least recently used first) if it did not.
  bool MakeRoom(int64_t memory_mb) {
    int64_t in_use = 0;
    std::vector<std::pair<std::string, std::shared_ptr<Environment>>> idle;
    for (auto& [name, pool] : pools_) {
      for (auto& env : pool) {
        if (env->state() == Environment::State::kDead) continue;
        in_use += env->spec().memory_mb;
        if (env->state() == Environment::State::kIdle && !KeptProvisioned(*env)) {
          idle.emplace_back(name, env);
        }
      }
    }
    if (in_use + memory_mb <= options_.memory_budget_mb) return true;
    std::sort(idle.begin(), idle.end(), [](const auto& a, const auto& b) {
      return a.second->idle_since() < b.second->idle_since();
    });
    for (auto& [name, env] : idle) {
      if (in_use + memory_mb <= options_.memory_budget_mb) break;
      in_use -= env->spec().memory_mb;
      Destroy(env);
      pools_[name].remove(env);
    }
    return in_use + memory_mb <= options_.memory_budget_mb;
  }

  // Starts a new environment for `request`. With `invoke_phase_init` it is the retry of an init
  // that ran out of its 10 s: the new init then counts against the invocation's timeout.
  void StartCold(FunctionSpec spec, InvocationRequest request, Done done, bool invoke_phase_init) {
    if (options_.issue_credentials) {
      if (Status issued = options_.issue_credentials(spec); !issued.ok()) {
        InvocationResult r;
        r.kind = InvocationResult::Kind::kPlatformError;
        r.payload = "cannot issue the execution role's credentials: " + issued.message();
        return done(std::move(r));
      }
    }
    auto env = std::make_shared<Environment>(io_, spec, NextUid(), options_.relay);
    pools_[spec.name].push_back(env);
    if (!invoke_phase_init) {
      done = [this, spec = std::move(spec),
              done = std::move(done)](InvocationResult result) mutable {
        if (!result.retry_with_invoke_phase_init || stopping_) return done(std::move(result));
        InvocationRequest retry = std::move(*result.retry_request);
        // The retry's result also reports the abandoned init (its INIT_REPORT and output).
        StartCold(
            std::move(spec), std::move(retry),
            [first = std::move(result), done = std::move(done)](InvocationResult second) mutable {
              second.failed_inits.insert(second.failed_inits.begin(),
                                         std::make_move_iterator(first.failed_inits.begin()),
                                         std::make_move_iterator(first.failed_inits.end()));
              done(std::move(second));
            },
            true);
      };
    }
    // Spares taken are replaced once this invocation is over and answered, not while its cold
    // start still wants the CPUs.
    done = [this, done = std::move(done)](InvocationResult result) mutable {
      done(std::move(result));
      Replenish();
    };
    Done finish = Wrap(env, std::move(done));
    // Spares have no network: a function with outbound network gets a sandbox of its own.
    bool outbound = Outbound(env->spec());
    if (std::optional<BlankSandbox> spare = outbound ? std::nullopt : TakeSpare()) {
      return env->StartAndInvoke(std::move(*spare), std::move(request), std::move(finish),
                                 invoke_phase_init);
    }
    // No spare: one is spawned off the loop (clone and cgroup work that would stall every other
    // request for milliseconds); meanwhile the environment is starting.
    SpawnOffLoop(
        Priority::kWaitedFor,
        [this, env, request = std::move(request), finish = std::move(finish),
         invoke_phase_init](StatusOr<BlankSandbox> blank) mutable {
          if (stopping_) {
            if (blank.ok()) Discard(std::move(*blank));
            blank = Internal("Lamina is shutting down", "ServiceException");
          }
          env->StartAndInvoke(std::move(blank), std::move(request), std::move(finish),
                              invoke_phase_init);
        },
        outbound);
  }

  // Completes an invocation: dead or retired environments are removed from their pool. A request
  // its environment died before delivering (the runtime exited instead of asking for it) is
  // routed again, so a runtime's exit after answering never fails the next caller.
  Done Wrap(std::shared_ptr<Environment> env, Done done) {
    return [this, env, done = std::move(done)](InvocationResult result) mutable {
      bool retired = retiring_.erase(env.get()) > 0;
      if (env->state() == Environment::State::kDead || retired) Remove(env);
      if (result.retry_request && !result.retry_with_invoke_phase_init && !stopping_) {
        FunctionSpec spec = env->spec();
        return Route(std::move(spec), std::move(*result.retry_request), std::move(done));
      }
      done(std::move(result));
    };
  }

  void Remove(const std::shared_ptr<Environment>& env) {
    auto it = pools_.find(env->spec().name);
    if (it == pools_.end()) return;
    for (auto e = it->second.begin(); e != it->second.end(); ++e) {
      if (*e == env) {
        Destroy(*e);
        it->second.erase(e);
        break;
      }
    }
  }

  // A spare that is still waiting, if there is one.
  std::optional<BlankSandbox> TakeSpare() {
    while (!spares_.empty()) {
      BlankSandbox blank = std::move(spares_.front());
      spares_.pop_front();
      if (blank.Waiting()) return blank;
      Discard(std::move(blank));  // its setup failed, or it was killed: never assign it
    }
    return std::nullopt;
  }

  // Spawns a blank sandbox on the spawner threads and hands it (or why not) to `then` on the
  // loop. The work guard keeps the loop running until it has. A spare is spawned as background
  // work (the thread is niced), so it never preempts the event loop; the sandbox gets its normal
  // priority back when it is assigned (Environment::StartAndInvoke).
  enum class Priority { kWaitedFor, kBackground };
  template <typename Then>
  void SpawnOffLoop(Priority priority, Then then, bool outbound_network = false) {
    asio::post(spawner_, [this, priority, then = std::move(then), outbound_network,
                          work = asio::make_work_guard(io_)]() mutable {
      SetThreadNice(priority == Priority::kBackground ? kBackgroundNice : 0);
      auto blank = std::make_shared<StatusOr<BlankSandbox>>(
          SpawnBlank(options_.paths, *cgroups_, outbound_network));
      asio::post(io_, [blank, then = std::move(then)]() mutable { then(std::move(*blank)); });
    });
  }

  // Spawns spares up to the number wanted.
  void Replenish() {
    while (!stopping_ && static_cast<int>(spares_.size()) + spawning_ < options_.spare_sandboxes) {
      ++spawning_;
      SpawnOffLoop(Priority::kBackground, [this](StatusOr<BlankSandbox> blank) {
        --spawning_;
        if (!blank.ok()) {
          // Cold starts spawn their own and report why; no retrying in a loop here.
          log::Warn("cannot prepare a spare sandbox", {{"error", blank.status().ToString()}});
          return;
        }
        if (stopping_) return Discard(std::move(*blank));
        spares_.push_back(std::move(*blank));
      });
    }
  }

  void Discard(BlankSandbox blank) {
    if (blank.process) blank.process->Kill();
    auto owned = std::make_shared<BlankSandbox>(std::move(blank));
    asio::post(cleanup_, [owned]() mutable { owned.reset(); });
  }

  void Destroy(const std::shared_ptr<Environment>& env) {
    env->Kill();
    if (auto cleanup = env->TakeCleanup()) asio::post(cleanup_, std::move(cleanup));
  }

  uint32_t NextUid() { return options_.first_uid + (next_uid_++ % options_.uid_count); }

  void ScheduleReap() {
    reaper_.expires_after(
        std::min<std::chrono::milliseconds>(options_.keep_alive / 4, std::chrono::seconds(1)) +
        std::chrono::milliseconds(1));
    reaper_.async_wait([this](const boost::system::error_code& ec) {
      if (ec || stopping_) return;
      auto now = std::chrono::steady_clock::now();
      for (auto& [name, pool] : pools_) {
        for (auto env = pool.begin(); env != pool.end();) {
          // Idle past the keep-alive, or died while idle (e.g. the runtime crashed).
          auto state = (*env)->state();
          if (state == Environment::State::kDead ||
              (state == Environment::State::kIdle && !KeptProvisioned(**env) &&
               now - (*env)->idle_since() >= options_.keep_alive)) {
            Destroy(*env);
            env = pool.erase(env);
          } else {
            ++env;
          }
        }
      }
      for (auto& [key, wanted] : provisioned_) Maintain(wanted.first, wanted.second);
      // A function with no environment left keeps no pool, nor (once it would be full again
      // anyway) a scaling bucket: deleted functions leave nothing behind.
      std::erase_if(pools_, [](const auto& pool) { return pool.second.empty(); });
      std::erase_if(scaling_, [&](auto& bucket) {
        return !pools_.count(bucket.first) && bucket.second.Full(now);
      });
      ScheduleReap();
    });
  }

  SchedulerOptions options_;
  const sandbox::CgroupHost* cgroups_;
  asio::io_context& io_;
  asio::steady_timer reaper_;
  // Provisioned concurrency wanted: by function name and version, the spec and the count.
  std::map<std::string, std::pair<FunctionSpec, int>> provisioned_;
  asio::thread_pool cleanup_;
  asio::thread_pool spawner_;
  std::map<std::string, TokenBucket> scaling_;  // each function's new environments (scale_per_10s)
  std::deque<BlankSandbox> spares_;             // loop only; oldest first
  int spawning_ = 0;                            // loop only; spares being spawned
  std::map<std::string, Pool> pools_;           // loop only
  std::set<Environment*> retiring_;             // loop only
  bool stopping_ = false;                       // loop only
  uint32_t next_uid_ = 0;                       // loop only
};

Scheduler::Scheduler(SchedulerOptions options, const sandbox::CgroupHost* cgroups,
                     boost::asio::io_context& io)
    : impl_(std::make_unique<Impl>(std::move(options), cgroups, io)) {}
Scheduler::~Scheduler() = default;
void Scheduler::Shutdown() { impl_->Shutdown(); }
void Scheduler::Invoke(FunctionSpec spec, InvocationRequest request, Done done) {
  impl_->Invoke(std::move(spec), std::move(request), std::move(done));
}
void Scheduler::Retire(const std::string& name, const std::string& version) {
  impl_->Retire(name, version);
}
void Scheduler::Provision(FunctionSpec spec, int count) {
  impl_->Provision(std::move(spec), count);
}
int Scheduler::ProvisionedReady(const std::string& name, const std::string& version) {
  return impl_->ProvisionedReady(name, version);
}

}  // namespace lamina::scheduler
