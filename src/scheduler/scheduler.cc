#include "scheduler/scheduler.h"

#include <atomic>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>
#include <future>
#include <list>
#include <map>
#include <set>
#include <thread>

#include "common/log.h"

namespace lamina::scheduler {

namespace asio = boost::asio;

class Scheduler::Impl {
 public:
  Impl(SchedulerOptions options, const sandbox::CgroupHost* cgroups)
      : options_(std::move(options)),
        cgroups_(cgroups),
        work_(asio::make_work_guard(io_)),
        reaper_(io_),
        cleanup_(1) {
    ScheduleReap();
    thread_ = std::thread([this] { io_.run(); });
  }

  ~Impl() {
    std::promise<void> stopped;
    asio::post(io_, [this, &stopped] {
      stopping_ = true;
      reaper_.cancel();
      for (auto& [name, pool] : pools_) {
        for (auto& env : pool) Destroy(env);
      }
      pools_.clear();
      stopped.set_value();
    });
    stopped.get_future().wait();
    work_.reset();
    io_.stop();
    thread_.join();
    cleanup_.join();
  }

  void Invoke(FunctionSpec spec, InvocationRequest request, Done done) {
    asio::post(io_, [this, spec = std::move(spec), request = std::move(request),
                     done = std::move(done)]() mutable {
      if (stopping_) {
        InvocationResult r;
        r.kind = InvocationResult::Kind::kPlatformError;
        r.payload = "Lamina is shutting down";
        return done(std::move(r));
      }
      auto& pool = pools_[spec.name];
      // Warm: the most recently used idle environment of this revision.
      for (auto it = pool.rbegin(); it != pool.rend(); ++it) {
        auto& env = *it;
        if (env->state() == Environment::State::kIdle &&
            env->spec().revision_id == spec.revision_id) {
          return env->Invoke(std::move(request), Wrap(env, std::move(done)));
        }
      }
      // Cold.
      auto env = std::make_shared<Environment>(io_, std::move(spec), NextUid());
      pool.push_back(env);
      ++count_;
      env->StartAndInvoke(options_.paths, *cgroups_, std::move(request),
                          Wrap(env, std::move(done)));
    });
  }

  void Retire(const std::string& name) {
    asio::post(io_, [this, name] {
      auto it = pools_.find(name);
      if (it == pools_.end()) return;
      for (auto env = it->second.begin(); env != it->second.end();) {
        if ((*env)->state() == Environment::State::kBusy) {
          retiring_.insert(env->get());
          ++env;
        } else {
          Destroy(*env);
          env = it->second.erase(env);
        }
      }
    });
  }

  size_t EnvironmentCount() const { return count_.load(); }

 private:
  using Pool = std::list<std::shared_ptr<Environment>>;

  // Completes an invocation: dead or retired environments are removed from their pool.
  Done Wrap(std::shared_ptr<Environment> env, Done done) {
    return [this, env, done = std::move(done)](InvocationResult result) {
      bool retired = retiring_.erase(env.get()) > 0;
      if (env->state() == Environment::State::kDead || retired) Remove(env);
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

  void Destroy(const std::shared_ptr<Environment>& env) {
    env->Kill();
    --count_;
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
              (state == Environment::State::kIdle &&
               now - (*env)->idle_since() >= options_.keep_alive)) {
            Destroy(*env);
            env = pool.erase(env);
          } else {
            ++env;
          }
        }
      }
      ScheduleReap();
    });
  }

  SchedulerOptions options_;
  const sandbox::CgroupHost* cgroups_;
  asio::io_context io_{1};
  asio::executor_work_guard<asio::io_context::executor_type> work_;
  asio::steady_timer reaper_;
  asio::thread_pool cleanup_;
  std::thread thread_;
  std::map<std::string, Pool> pools_;  // loop only
  std::set<Environment*> retiring_;    // loop only
  bool stopping_ = false;              // loop only
  uint32_t next_uid_ = 0;              // loop only
  std::atomic<size_t> count_{0};
};

Scheduler::Scheduler(SchedulerOptions options, const sandbox::CgroupHost* cgroups)
    : impl_(std::make_unique<Impl>(std::move(options), cgroups)) {}
Scheduler::~Scheduler() = default;
void Scheduler::Invoke(FunctionSpec spec, InvocationRequest request, Done done) {
  impl_->Invoke(std::move(spec), std::move(request), std::move(done));
}
void Scheduler::Retire(const std::string& name) { impl_->Retire(name); }
size_t Scheduler::EnvironmentCount() const { return impl_->EnvironmentCount(); }

}  // namespace lamina::scheduler
