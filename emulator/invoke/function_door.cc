#include "invoke/function_door.h"

#include "base/strings.h"
#include "model/function_ref.h"

namespace ll {

Result<ResolvedFunction> FunctionDoor::Resolve(const std::string& function,
                                               const std::string& qualifier) const {
  return store_->Resolve(function, qualifier);
}

InvokeResult FunctionDoor::Invoke(const ResolvedFunction& fn, const Invocation& inv) {
  return invoker_->Invoke(fn, inv);
}

Status FunctionDoor::InvokeAsync(const ResolvedFunction& fn, Invocation inv) {
  return async_->Enqueue(fn, std::move(inv));
}

bool FunctionDoor::WaitForCapacity(const std::string& function, std::optional<int> reserved) {
  return invoker_->WaitForCapacity(function, reserved);
}

std::optional<FunctionUrlTarget> FunctionDoor::FindUrl(std::string_view url_id) const {
  return store_->FindUrl(url_id);
}

DestinationSender FunctionDoor::AsDestination() {
  return [this](const std::string& arn, DestinationMessage message) -> Status {
    auto ref = ParseFunctionRef(arn);
    if (!ref.ok()) return ref.status();
    auto target = Resolve(ref->name, ref->qualifier);
    if (!target.ok()) return target.status();
    Invocation inv;
    inv.request_id = NewUuid();
    inv.payload = std::move(message.body);
    inv.invoked_function_arn = arn;
    return InvokeAsync(*target, std::move(inv));
  };
}

}  // namespace ll
