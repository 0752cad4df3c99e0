#pragma once
#include "compiler/delta.h"
#include "controller/dataplane.h"
#include "model/scope.h"
#include "store/store.h"

namespace xpeer {

// The maps' side of one store transaction. The maps hold what the committed store compiles to;
// a command writes only the entries of its scope that its pending changes compile differently:
// the committed store's entries (through a second connection, with this transaction's earlier
// writes on top) against the pending store's. The kernel's dirty flag is set before the first
// write and cleared after the commit; a transaction that finds it set (a command was killed in
// between) rewrites all maps from the store, as do `reconcile` and a rollback.
class MapWriter {
public:
    explicit MapWriter(Store& store) : store_(store) {}

    // Inside the transaction, before any map write.
    void begin(Dataplane& kernel);
    // The entries of `scope` follow the pending store.
    ReconcileResult apply(Scope scope);
    // Every entry follows the pending store; so do the rest of this transaction's applies.
    ReconcileResult apply_all();
    // Before any apply: the entries of `scope` follow the store, whose rows in it the kernel
    // followed as Store::as_kernel_follows() reads them (another host's commits, loaded since).
    ReconcileResult catch_up(Scope scope);
    // After the commit, or a dry run's rollback.
    void committed();
    // After a rollback: every entry follows the store again, if this transaction wrote any.
    void rolled_back();
    // Before a kernel step other than a map write (a vSwitch veth, its rules): a command killed
    // after it leaves the mark, and the next command repairs what it left.
    void about_to_change_kernel() { mark_dirty(); }

private:
    void mark_dirty();
    // The difference of `before` and `after` (delta) written to the kernel; `covered`: `after`
    // holds the routes its destinations fall back to, so the compiled lookups are patched over it.
    ReconcileResult write(const Tables& before, const Tables& after, bool covered, TablesDelta& delta);

    Store& store_;
    Dataplane* kernel_ = nullptr;
    bool dirty_ = false;  // the kernel's flag is set, by this transaction or by a killed one
    bool whole_ = false;  // this transaction writes every entry
    Scope scope_;         // what this transaction's applies wrote so far
    TablesDelta written_;
};

}  // namespace xpeer
