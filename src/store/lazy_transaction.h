// File: store/lazy_transaction.h
//
// LazyTransaction: a Transaction that begins its backend transaction at its first statement. The
// gateway opens one for every call (it owns the call's transaction, gateway/gateway.h), and many
// calls never touch the store (sts:GetCallerIdentity) or fail validation in the handler first;
// they then cost no BEGIN at all. A Commit with no statement run is a no-op that succeeds (and
// runs the AfterCommit hooks).
//
// Thread-safety: as Transaction: it belongs to one thread. `store` must outlive it.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "store/store.h"

namespace orgtwin::store {

class LazyTransaction final : public Transaction {
 public:
  LazyTransaction(Store& store, TxMode mode) : store_(store), mode_(mode) {}

  Result<int64_t> Execute(std::string_view sql, std::initializer_list<Value> params) override {
    OT_ASSIGN_OR_RETURN(Transaction * tx, Started());
    return tx->Execute(sql, params);
  }
  Result<int64_t> Execute(std::string_view sql, const std::vector<Value>& params) override {
    OT_ASSIGN_OR_RETURN(Transaction * tx, Started());
    return tx->Execute(sql, params);
  }
  Result<std::vector<Row>> Query(std::string_view sql,
                                 std::initializer_list<Value> params) override {
    OT_ASSIGN_OR_RETURN(Transaction * tx, Started());
    return tx->Query(sql, params);
  }
  Result<std::vector<Row>> Query(std::string_view sql, const std::vector<Value>& params) override {
    OT_ASSIGN_OR_RETURN(Transaction * tx, Started());
    return tx->Query(sql, params);
  }
  Status Commit() override {
    if (finished_) return InternalError("transaction already finished");
    finished_ = true;
    if (tx_ != nullptr) return tx_->Commit();
    if (begin_failed_.has_value()) return *begin_failed_;
    for (auto& hook : hooks_) hook();
    return Status::Ok();
  }
  void AfterCommit(std::function<void()> hook) override {
    if (tx_ != nullptr) {
      tx_->AfterCommit(std::move(hook));
    } else {
      hooks_.push_back(std::move(hook));
    }
  }

  // Whether a statement has begun the backend transaction.
  bool started() const { return tx_ != nullptr; }

 private:
  Result<Transaction*> Started() {
    if (finished_) return InternalError("transaction already finished");
    if (tx_ == nullptr) {
      if (begin_failed_.has_value()) return *begin_failed_;
      Result<std::unique_ptr<Transaction>> begun = store_.Begin(mode_);
      if (!begun.ok()) {
        begin_failed_ = begun.status();
        return begun.status();
      }
      tx_ = std::move(begun).value();
      // Hooks registered before the first statement belong to the backend transaction now.
      for (auto& hook : hooks_) tx_->AfterCommit(std::move(hook));
      hooks_.clear();
    }
    return tx_.get();
  }

  Store& store_;
  TxMode mode_;
  std::unique_ptr<Transaction> tx_;
  std::optional<Status> begin_failed_;
  std::vector<std::function<void()>> hooks_;
  bool finished_ = false;
};

}  // namespace orgtwin::store
