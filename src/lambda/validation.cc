#include "lambda/validation.h"

#include "lambda/errors.h"

namespace lamina::lambda {

Status Violations::ToStatus() const {
  if (empty()) return Status::Ok();
  return ValidationError(Message());
}

}  // namespace lamina::lambda
