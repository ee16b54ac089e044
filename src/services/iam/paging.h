// Marker/MaxItems pagination over a Store prefix, as IAM's List* operations page.
//
// A marker is the key (after the prefix) of the last item of the previous page; clients treat it
// as opaque and send it back verbatim.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/xml_writer.h"
#include "services/iam/query_protocol.h"
#include "services/iam/violations.h"
#include "store/store.h"

namespace lamina::services::iam {

struct PageRequest {
  std::string marker;  // empty: from the start
  size_t max_items = 100;
};

// Reads Marker and MaxItems (1..1000, default 100), recording violations.
PageRequest ReadPageRequest(const QueryArgs& args, Violations& violations);

struct Page {
  std::vector<store::Entry> entries;
  bool truncated = false;
  std::string marker;  // when truncated: where the next page starts
};

// Up to `request.max_items` entries under `prefix` after the marker, in key order, skipping those
// `keep` rejects (when given).
StatusOr<Page> ListPage(store::Store& store, std::string_view prefix, const PageRequest& request,
                        const std::function<bool(const store::Entry&)>& keep = nullptr);

// <IsTruncated>true|false</IsTruncated> and, when truncated, <Marker>.
void WritePageTail(const Page& page, XmlWriter& xml);

}  // namespace lamina::services::iam
