Timestamp >= $from::TIMESTAMP
  AND Timestamp <= $to::TIMESTAMP
  AND ($service::VARCHAR IS NULL OR ServiceName = $service::VARCHAR)
