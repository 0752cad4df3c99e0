#include "controller/map_writer.h"

#include <spdlog/spdlog.h>

#include "compiler/compile_scope.h"

namespace xpeer {
namespace {

Tables compile_scope_of(Store& store, const Scope& scope) {
    auto part = store.snapshot_of(scope);
    return compile_scope(part.snapshot, part.ports, scope);
}

}  // namespace

void MapWriter::begin(Dataplane& kernel) {
    kernel_ = &kernel;
    dirty_ = whole_ = false;
    scope_ = {};
    written_ = {};
    if (!kernel.maps_dirty()) return;
    spdlog::info("the maps were left dirty by a command that did not finish: rewriting all of them");
    dirty_ = true;
    apply_all();
}

ReconcileResult MapWriter::apply(Scope scope) {
    if (whole_) return apply_all();
    if (scope_.empty())
        scope_ = std::move(scope);  // a route import's scope holds every destination it added
    else
        scope_ |= scope;
    // A small change also compiles the routes its destinations fall back to, so that the
    // compiled lookups are patched in place (Dataplane::apply_delta's `over`).
    std::optional<Scope> with_covers = scope_.with_covers();
    if (with_covers) scope_ = std::move(*with_covers);
    Tables before = compile_scope_of(store_.committed(), scope_);
    patch(before, written_);
    TablesDelta delta;
    auto r = write(before, compile_scope_of(store_, scope_), with_covers.has_value(), delta);
    if (written_.empty())
        written_ = std::move(delta);
    else
        merge(written_, delta);
    return r;
}

ReconcileResult MapWriter::write(const Tables& before, const Tables& after, bool covered, TablesDelta& delta) {
    delta = diff(before, after);
    if (delta.empty()) return {};
    mark_dirty();
    return kernel_->apply_delta(delta, covered ? &after : nullptr);
}

ReconcileResult MapWriter::catch_up(Scope scope) {
    if (whole_) return apply_all();
    std::optional<Scope> with_covers = scope.with_covers();
    if (with_covers) scope = std::move(*with_covers);
    Tables before;
    store_.as_kernel_follows([&] { before = compile_scope_of(store_, scope); });
    TablesDelta delta;
    return write(before, compile_scope_of(store_, scope), with_covers.has_value(), delta);
}

ReconcileResult MapWriter::apply_all() {
    mark_dirty();
    whole_ = true;
    return kernel_->apply(store_.snapshot(), store_.vswitch_ports());
}

void MapWriter::committed() {
    if (dirty_) kernel_->set_maps_dirty(false);
    dirty_ = false;
}

void MapWriter::rolled_back() {
    if (!dirty_) return;
    kernel_->apply(store_.snapshot(), store_.vswitch_ports());
    committed();
}

void MapWriter::mark_dirty() {
    if (!dirty_) kernel_->set_maps_dirty(true);
    dirty_ = true;
}

}  // namespace xpeer
