hs = { status = "Progressing", message = "Waiting for the operator" }
if obj.status ~= nil and obj.status.conditions ~= nil then
  for _, c in ipairs(obj.status.conditions) do
    if c.type == "Ready" then
      local current = obj.status.observedGeneration == nil or obj.status.observedGeneration == obj.metadata.generation
      local message = (c.reason or "") .. ": " .. (c.message or "")
      if not current then
        hs.status = "Progressing"
        hs.message = "Waiting for the operator to observe generation " .. obj.metadata.generation
      elseif c.status == "True" then
        hs.status = "Healthy"
        hs.message = c.message
      elseif c.reason == "Suspended" then
        hs.status = "Suspended"
        hs.message = c.message
      elseif c.reason == "GatewayUnavailable" or c.reason == "VerificationFailed" then
        hs.status = "Progressing" -- retried with backoff
        hs.message = message
      else
        hs.status = "Degraded"
        hs.message = message
      end
    end
  end
end
return hs
