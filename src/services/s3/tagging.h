// The Tagging document (<Tagging><TagSet><Tag><Key/><Value/></Tag>...), of objects and buckets.
#pragma once

#include <string>
#include <string_view>

#include "services/s3/object_store.h"

namespace lamina::services::s3 {

// MalformedXML when it is not a Tagging document.
StatusOr<TagSet> ParseTagging(std::string_view xml);
std::string RenderTagging(const TagSet& tags);

}  // namespace lamina::services::s3
