#include "services/iam/paging.h"

#include <optional>
#include <utility>

#include "services/iam/constraints.h"

namespace lamina::services::iam {

PageRequest ReadPageRequest(const QueryArgs& args, Violations& violations) {
  PageRequest request;
  if (const std::string* marker = args.Find("Marker")) {
    CheckMarker(violations, "Marker", *marker);
    request.marker = *marker;
  }
  if (std::optional<int64_t> max = IntParam(args, "MaxItems", 1, 1000, violations)) {
    request.max_items = static_cast<size_t>(*max);
  }
  return request;
}

StatusOr<Page> ListPage(store::Store& store, std::string_view prefix, const PageRequest& request,
                        const std::function<bool(const store::Entry&)>& keep) {
  Page page;
  std::string after = request.marker.empty() ? std::string() : std::string(prefix) + request.marker;
  // Read in batches until one entry more than a page is kept, or the prefix runs out: the extra
  // entry only tells that the page is truncated.
  const size_t batch = request.max_items + 1;
  while (true) {
    ASSIGN_OR_RETURN(std::vector<store::Entry> entries, store.List(prefix, after, batch));
    if (entries.empty()) return page;
    after = entries.back().key;  // before the loop moves the entries away
    bool exhausted = entries.size() < batch;
    for (store::Entry& entry : entries) {
      if (keep && !keep(entry)) continue;
      if (page.entries.size() == request.max_items) {
        page.truncated = true;
        page.marker = page.entries.back().key.substr(prefix.size());
        return page;
      }
      page.entries.push_back(std::move(entry));
    }
    if (exhausted) return page;
  }
}

void WritePageTail(const Page& page, XmlWriter& xml) {
  xml.Element("IsTruncated", page.truncated ? "true" : "false");
  if (page.truncated) xml.Element("Marker", page.marker);
}

}  // namespace lamina::services::iam
