"""Operations: the health check and the metrics, for load balancers and monitoring."""
