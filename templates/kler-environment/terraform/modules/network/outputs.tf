output "vpc_id" {
  description = "The VPC."
  value       = aws_vpc.this.id
}

output "public_subnet_ids" {
  description = "One public subnet per availability zone."
  value       = aws_subnet.public[*].id
}

output "private_subnet_ids" {
  description = "One private subnet per availability zone."
  value       = aws_subnet.private[*].id
}

output "availability_zones" {
  description = "The zones the environment spans."
  value       = local.availability_zones
}

output "cidr_block" {
  description = "The VPC's address range."
  value       = aws_vpc.this.cidr_block
}
